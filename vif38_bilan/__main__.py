from vif38_bilan.cli.principal import main

main()
