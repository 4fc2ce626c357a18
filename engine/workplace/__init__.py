"""The counsellor's workplace: accounts and access, claiming, drafts of forms, saved inbox filters.

`commands` holds the workplace commands (one transaction each), `tables` what the workplace keeps
besides the process.
"""
