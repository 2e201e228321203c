EXPECTED: dict[str, str] = {}
