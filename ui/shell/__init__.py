"""The frame around the screens: main window, lock and unlock, settings, the task runner."""
