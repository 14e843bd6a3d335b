SELECT E'it\'s open;
