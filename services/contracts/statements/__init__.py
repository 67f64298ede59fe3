"""PLACEHOLDER until the bank branch merges."""


def parse(content, fmt):
    raise NotImplementedError
