"""Exact spatial work that divides: KDE sums in column strips, DBSCAN in strips with a halo.

Each job runs whole on the local engine and in strips on a cluster, with the same result
bit for bit (the strip rules are in each module's notes).
"""
