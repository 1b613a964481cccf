from credfile.cli import main

main()
