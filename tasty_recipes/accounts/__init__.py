"""The accounts context: users, their tokens, and the HTML pages that manage them."""
