//! Docker Engine adapter over bollard: containers, exec, copy, volumes, logs.
