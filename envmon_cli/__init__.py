"""The envmon command line: the top floor. Nothing imports it."""
