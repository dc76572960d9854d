import sys

from .cli import main

if __name__ == "__main__":  # the segmentation worker is spawned and imports this module again
    sys.exit(main())
