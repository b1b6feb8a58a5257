from stss.cli.main import run

run()
