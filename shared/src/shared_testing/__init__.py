"""Simulators of the remote systems behind this monorepo's clients, with fault injection.

Start one in a test with the ``simulator`` fixture or :func:`start_simulator`, or from a shell
with ``python -m shared_testing serve <system>``.
"""

from shared_testing.faults import Fault, FaultInjector, FaultKind
from shared_testing.simulator import RunningSimulator, Simulator
from shared_testing.systems import SYSTEMS, create_simulator, start_simulator

__all__ = [
    "SYSTEMS",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "RunningSimulator",
    "Simulator",
    "create_simulator",
    "start_simulator",
]
