"""The target, the recorder and the plain HTTP client are shared with the boto3 runner."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))
