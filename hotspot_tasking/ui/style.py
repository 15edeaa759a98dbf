"""Colours and formats shared by every page: colour-blind-safe, UK dates."""

#: Okabe and Ito's palette (safe for the common colour-vision deficiencies), in order of use.
CATEGORICAL = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

#: UK date format for tables and captions.
UK_DATE = "%d/%m/%Y"


def colours(n: int) -> list[str]:
    """``n`` categorical colours (cycling past eight)."""
    return [CATEGORICAL[i % len(CATEGORICAL)] for i in range(n)]
