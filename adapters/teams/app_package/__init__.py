"""The Teams app package's files: the manifest template and the two icons."""
