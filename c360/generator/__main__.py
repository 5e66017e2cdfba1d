import sys

from c360.generator.run import main

sys.exit(main(sys.argv[1:]))
