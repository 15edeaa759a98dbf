"""Where to task: candidate surfaces that score the study area's cells from past periods
(:mod:`.candidates`), the rolling backtest that chooses the one that predicts best
(:mod:`.choice`), and micro-places split from its hottest cells (:mod:`.microplaces`).
"""
