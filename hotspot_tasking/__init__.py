"""hotspot-tasking: hotspot and tasking analysis for community safety partnerships.

The core packages (:mod:`.geo`, :mod:`.boundaries`, :mod:`.hotspots`, :mod:`.tasking`)
never import Streamlit; :mod:`.ui` is the one bridge to the app.
"""

from pathlib import Path

__version__ = "0.1.0"

#: The repository root when installed from a checkout (``pip install -e .``).
REPO_ROOT = Path(__file__).resolve().parent.parent
#: The bundled demo workspace.
DEMO_WORKSPACE = REPO_ROOT / "data" / "demo"
