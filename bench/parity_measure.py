"""How far two trainings of the same nets from the same start lie apart: the
measures of bench/dynamics_parity.sh (toy nets) and
bench/image_dynamics_parity.sh (picture nets). A module, not a script."""
import json

import numpy as np

from torch_toy import read_safetensors


def load(path):
    """a safetensors file's float32 tensors as float64 numpy arrays, by name"""
    return {k: v.double().numpy() for k, v in read_safetensors(path).items()}


def spread(a, b, init, keys=None, stat=np.median):
    """Per parameter tensor (keys, default b's weights): stat |a - b| / stat |a - init| over its
    entries; the median and the max over the tensors that moved."""
    keys = [k for k in b if ".weight" in k] if keys is None else keys
    r = [stat(np.abs(a[k] - b[k])) / stat(np.abs(a[k] - init[k]))
         for k in keys if stat(np.abs(a[k] - init[k])) > 0]
    return float(np.median(r)), float(np.max(r))


def read_log(path):
    """iteration -> the logged values of a log.jsonl (events left out)"""
    return {l["iter"]: l for l in map(json.loads, open(path)) if "iter" in l and "event" not in l}


def relative(other, ref, keys):
    """|other - ref| / |ref| for each of keys"""
    return {k: abs(other[k] - ref[k]) / abs(ref[k]) for k in keys}
