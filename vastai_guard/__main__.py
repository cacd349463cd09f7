from __future__ import annotations

from vastai_guard.main import main

if __name__ == '__main__':
    raise SystemExit(main())
