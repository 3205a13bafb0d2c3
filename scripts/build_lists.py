"""Rebuild the bundled entity-list data files: see biblio/lists/build.py."""

from biblio.lists.build import main

if __name__ == "__main__":
    main()
