"""The functional core: pure Python, handed a clock, knowing no Qt, database or OS."""
