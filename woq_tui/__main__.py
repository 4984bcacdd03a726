from woq_tui.cli import main

raise SystemExit(main())
