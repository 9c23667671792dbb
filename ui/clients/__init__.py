"""The client list and the dialog that adds or edits a client."""
