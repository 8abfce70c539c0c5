import os
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
sys.path.insert(0, str(TESTS))
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("BETTERNETS_NO_PROGRESS", "1")
os.environ.setdefault("BETTERNETS_STATIC", "1")
