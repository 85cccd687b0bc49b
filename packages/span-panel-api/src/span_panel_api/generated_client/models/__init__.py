"""Contains all the data models used in inputs/outputs"""

from .allowed_endpoint_groups import AllowedEndpointGroups
from .auth_in import AuthIn
from .auth_out import AuthOut
from .battery_storage import BatteryStorage
from .boolean_in import BooleanIn
from .branch import Branch
from .circuit import Circuit
from .circuit_name_in import CircuitNameIn
from .circuit_state_in import CircuitStateIn
from .circuits_out import CircuitsOut
from .circuits_out_circuits import CircuitsOutCircuits
from .client import Client
from .clients import Clients
from .clients_clients import ClientsClients
from .door_state import DoorState
from .empty_object import EmptyObject
from .error_detail import ErrorDetail
from .feedthrough_energy import FeedthroughEnergy
from .http_validation_error import HTTPValidationError
from .islanding_state import IslandingState
from .main_meter_energy import MainMeterEnergy
from .network_status import NetworkStatus
from .nice_to_have_threshold import NiceToHaveThreshold
from .panel_meter import PanelMeter
from .panel_power import PanelPower
from .panel_state import PanelState
from .priority import Priority
from .priority_in import PriorityIn
from .relay_state import RelayState
from .relay_state_in import RelayStateIn
from .relay_state_out import RelayStateOut
from .settable_priority import SettablePriority
from .settable_relay_state import SettableRelayState
from .software_status import SoftwareStatus
from .state_of_energy import StateOfEnergy
from .status_out import StatusOut
from .system_status import SystemStatus
from .validation_error import ValidationError
from .wifi_access_point import WifiAccessPoint
from .wifi_connect_in import WifiConnectIn
from .wifi_connect_out import WifiConnectOut
from .wifi_scan_out import WifiScanOut

__all__ = (
    "AllowedEndpointGroups",
    "AuthIn",
    "AuthOut",
    "BatteryStorage",
    "BooleanIn",
    "Branch",
    "Circuit",
    "CircuitNameIn",
    "CircuitsOut",
    "CircuitsOutCircuits",
    "CircuitStateIn",
    "Client",
    "Clients",
    "ClientsClients",
    "DoorState",
    "EmptyObject",
    "ErrorDetail",
    "FeedthroughEnergy",
    "HTTPValidationError",
    "IslandingState",
    "MainMeterEnergy",
    "NetworkStatus",
    "NiceToHaveThreshold",
    "PanelMeter",
    "PanelPower",
    "PanelState",
    "Priority",
    "PriorityIn",
    "RelayState",
    "RelayStateIn",
    "RelayStateOut",
    "SettablePriority",
    "SettableRelayState",
    "SoftwareStatus",
    "StateOfEnergy",
    "StatusOut",
    "SystemStatus",
    "ValidationError",
    "WifiAccessPoint",
    "WifiConnectIn",
    "WifiConnectOut",
    "WifiScanOut",
)
