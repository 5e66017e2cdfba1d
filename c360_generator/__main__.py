import sys

from c360_generator.run import main

sys.exit(main(sys.argv[1:]))
