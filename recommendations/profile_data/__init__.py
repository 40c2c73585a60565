"""A profile's recommendation data on the account pages: taken out (JSON and CSV), brought
in (a Letterboxd-style ratings file), and paused (the private session).

Served under /account/ in the `profile_data` namespace; a session held by a kids profile
needs the account's password for every page here but the private-session switch
(`accounts.middleware`).
"""
