//! Docker step kinds and the OpenDolphin legacy restore, against the real Docker Engine.
