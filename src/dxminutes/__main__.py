import sys

from dxminutes.cli import main

sys.exit(main())
