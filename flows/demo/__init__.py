"""The offline demo: a loopback news site and forum, a planted social export, the whole pipeline."""
