"""The PDF's shared parts: fonts, styles, the page with its header and footer, layout
helpers and password protection. Report kinds and their sections build on these."""
