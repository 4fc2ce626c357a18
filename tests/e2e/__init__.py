"""End-to-end tests of the counsellor's workplace: a real server, driven in headless Debian Chromium."""
