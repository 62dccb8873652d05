from tasty_recipes import create_app

app = create_app()
