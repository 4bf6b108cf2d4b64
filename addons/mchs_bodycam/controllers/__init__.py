from . import main
from . import dock
