from vif38_bilan.cli import main

main()
