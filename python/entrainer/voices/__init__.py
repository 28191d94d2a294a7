"""The synth voices as data: one file per family, one registry mapping every legacy name.

`registry.lookup(name)` resolves a `synth_function_name`; each `Family` holds the parameter
table (`params.Param` rows) that validation (`validate.check_params`), the frequency check
(`nyquist`) and plan building (`params.plan_values`) all read.
"""

from .family import Family, FrequencyLimit
from .nyquist import check_track as check_frequencies
from .params import Param
from .registry import FAMILIES, known_names, lookup

__all__ = ["FAMILIES", "Family", "FrequencyLimit", "Param", "check_frequencies",
           "known_names", "lookup"]
