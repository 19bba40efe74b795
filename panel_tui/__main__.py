from panel_tui.cli import main

raise SystemExit(main())
