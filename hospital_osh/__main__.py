from hospital_osh.cli import main

raise SystemExit(main())
