"""Tests of ui/shell: main window, lock and unlock, the task runner, start-up."""
