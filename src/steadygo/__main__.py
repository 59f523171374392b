from steadygo.cli import main

raise SystemExit(main())
