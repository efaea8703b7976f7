from subsidia.cli import main

main()
