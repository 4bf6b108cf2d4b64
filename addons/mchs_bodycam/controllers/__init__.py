from . import main
from . import dock
from . import recording
