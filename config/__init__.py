import os

# Before anything imports numpy: OpenBLAS sizes its thread pool once, at load. Scoring and
# folding in a profile are small matrix products, and on a busy machine BLAS threads spin
# and wait for cores (a 100 x 100 solve took 88 ms instead of well under one). The web,
# worker and test processes all come through here; set it higher by hand to give a
# training machine its cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from .celery_app import app as celery_app  # noqa: E402

__all__ = ("celery_app",)
