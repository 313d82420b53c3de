"""The settings dialog, generated from the settings schema: one editor per value type, a tab per group.

Each setting is declared once in `core.settings`; this package only knows how to edit each kind
of value. What is allowed is decided by the schema (`Settings.check_json`), and a refusal is
shown next to the field with OK disabled until it is put right.

- `editors`: the editor base and the editors of single values; `rows`, `app_editors` and
  `week_editors`: the editors of lists and tables.
- `fields`: which editor edits which value type, and one setting with its title and refusal.
- `sections`: the passcode and "your data", which are actions rather than settings.
- `pages`: a tab per group; `dialog`: the dialog that puts it all together and stores changes.
"""
