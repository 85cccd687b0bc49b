"""What a station says about itself and its settings: written once, changed only by writes.

Offsets follow the published V2 block layouts (byte offsets into each block). Identity
strings come from the model and serial; settings hold the values a new station ships with.
"""

from __future__ import annotations

from shared_testing.bluetti.image import RegisterImage, enable_list
from shared_testing.bluetti.profiles import ProfileSpec

__all__ = ["write_static"]

#: 2026-01-01T00:00:00Z, the simulated clock's epoch for time stamps in settings
_EPOCH = 1_767_225_600


def _identity(image: RegisterImage, block: int, model: str, serial: str) -> None:
    """The model (12 bytes) and serial (8 bytes) most accessory blocks start with."""
    image.text(block, 0, 12, model)
    image.text(block, 12, 8, serial[-8:])


def _station(image: RegisterImage, spec: ProfileSpec, serial: str) -> None:
    model, short = spec.model, serial[-8:]
    image.put("H", 100, 16, 0b1)  # pack 0 online
    image.text(100, 20, 12, model)
    image.text(100, 32, 8, short)
    image.put("H", 100, 120, 98)  # state of health
    image.put("BBBBBBBB", 720, 0, 0, 0, 0, 0, 1, 0, 100, 0)  # OTA idle, last file complete
    image.put("B", 1100, 1, 1)
    image.text(1100, 2, 12, model)
    image.text(1100, 14, 8, short)
    image.put("B", 1100, 23, 1)  # power type
    image.put("B", 1100, 25, 3)  # software modules
    for index, (module, version) in enumerate(((1, 4012), (2, 4010), (3, 2003))):
        image.put("HI", 1100, 26 + 6 * index, module, version)
    image.put("B", 1400, 59, 1)  # one phase
    image.put("B", 1500, 17, 1)
    image.put("B", 1500, 19, 1)  # phase 0 working


def _settings(image: RegisterImage) -> None:
    # 2000 base settings: address, mode, LED, grid charge, PV, inverter, AC, DC all on
    image.put("BB", 2000, 0, 1, 1)
    for offset in (5, 7, 9, 11, 13, 15):
        image.put("B", 2000, offset, 1)
    image.put("B", 2000, 19, 0)  # DC ECO off
    image.put("HH", 2000, 21, 120, 5)
    image.put("B", 2000, 25, 0)  # AC ECO off
    image.put("HH", 2000, 27, 240, 30)
    image.put("B", 2000, 31, 1)  # charging mode: standard
    image.put("B", 2000, 33, 0)
    # 2200 advanced settings
    image.text(2200, 0, 8, "000000")
    image.put("BB", 2200, 8, 0, 1)  # no factory reset, grid on
    image.put("B", 2200, 11, 0)  # no feed-in
    image.put("HHHHHHH", 2200, 13, 2300, 5000, 584, 250, 1800, 150, 800)
    # 2400 grid certification
    image.put("BHHHHB", 2400, 0, 0, 1955, 160, 100, 1, 0)
    # 7000 pack settings
    image.put("BHB", 7000, 0, 1, 1, 0)
    image.put("B", 7000, 11, 1)


def _energy_history(image: RegisterImage) -> None:
    image.put("B", 3500, 1, 1)  # energy type: total
    for index, (year, tenths) in enumerate(((2024, 4210), (2025, 6875), (2026, 512))):
        image.put("HI", 3500, 6 + 6 * index, year, tenths)
    image.put("BH", 3600, 1, 1, 2026)
    for index, tenths in enumerate((212, 198, 102)):
        image.put("I", 3600, 8 + 4 * index, tenths)


def _battery(image: RegisterImage, spec: ProfileSpec, serial: str) -> None:
    image.put("H", 6000, 0, 1)  # voltage class
    image.put("B", 6000, 3, 1)  # one pack
    image.put("H", 6000, 4, 0b1)
    image.put("B", 6000, 13, 99)  # state of health
    image.put("HHH", 6000, 20, round(spec.cells * 36.5), 200, 300)
    image.put("H", 6000, 32, 0b11)  # charge and discharge MOSFETs on
    image.put("H", 6000, 38, spec.cells)
    image.put("H", 6000, 62, 0)
    image.put("B", 6100, 1, 1)
    image.text(6100, 2, 12, f"{spec.model}-PACK")
    image.text(6100, 14, 8, serial[-8:])
    image.put("B", 6100, 29, 99)
    image.put("B", 6100, 59, 1)
    image.put("BxBxB", 6100, 105, spec.cells, 4, 1)
    image.put("H", 6100, 110, 0)
    image.put("H", 6100, 138, 0)
    image.put("B", 6100, 143, 1)
    image.put("BBBB", 6100, 156, 0, 1, 0, 2)
    image.text(6300, 0, 8, f"B{serial[-7:]}")
    image.put("IBBxBI", 6300, 8, 0, 4, spec.cells, 1, 1021)


def _iot(image: RegisterImage, serial: str) -> None:
    image.text(11000, 0, 12, "WIFI-V2")
    image.text(11000, 12, 8, f"W{serial[-7:]}")
    image.text(11000, 20, 8, "7Q2K9XM4")
    image.put("IIH", 11000, 28, 2030, 105, 1)
    image.text(12002, 0, 64, "home-network")
    image.text(12002, 64, 32, "correct-horse")
    image.put("BB", 12002, 96, 0, 0)
    image.put("HH", 12161, 0, 0x0005, 0x0001)


def _schedules(image: RegisterImage) -> None:
    image.put("HHH", 19000, 0, (10 << 8) | 95, (20 << 8) | 80, (5 << 8) | 100)
    image.put("HHHHHHHH", 19100, 0, 0x0001, 0, 0, 0, 0x0002, 0, 0, 0)
    image.put("HHH", 19200, 0, 1, 0, 1)
    for index in range(4):
        start = _EPOCH + index * 86_400 + 22 * 3600
        image.put("II", 19200, 6 + 8 * index, start, start + 8 * 3600)
    image.put("HHHH", 19300, 0, 0x0001, 0, 0, 0)
    image.put("B", 19300, 9, 1)  # one timer; its task follows at register 19305
    image.put("HBxBxBxBxHBxHB", 19305, 0, 1, 22, 0, 6, 0, 0b0111110, 1, 500, 1)
    for block, first in ((19365, 1), (19425, 3), (19485, 5)):
        image.put("HBBHBB", block, 0, 1, first * 10, 90, 0, 0, 0)
    image.put("HHHHHHH", 26001, 0, 0x0107, 0x1600, 0x0600, 0, 0, 2006, 1)
    image.put("HH", 29770, 0, 1, 3)
    image.put("HIBBBB", 29772, 0, 1, 1003, 0, 0, 0, 0)


def _smart_plug(image: RegisterImage, serial: str) -> None:
    _identity(image, 14500, "SP-1800", f"P{serial[-7:]}")
    image.put("IH", 14500, 20, 1012, 1)
    image.put("HHH", 14700, 0, 1, 1, 0)
    image.put("I", 14700, 8, 0)
    image.put("HHHI", 14700, 12, 1800, 5, 1, 3600)
    image.put("BBI", 14700, 22, 1, 30, 0)


def _accessories(image: RegisterImage, serial: str) -> None:
    image.text(1700, 0, 12, "CT-3P")
    image.text(1700, 12, 8, f"M{serial[-7:]}")
    image.put("HI", 1700, 20, 1, _EPOCH)
    _identity(image, 15500, "DC-DC-800", f"D{serial[-7:]}")
    image.put("HHHH", 15500, 20, 128, 520, 45, 234)  # 12.8 V car in, 52.0 V 4.5 A out
    image.put("H", 15500, 28, enable_list(1, 1))  # car -> charger -> station
    image.put("H", 15600, 0, enable_list(1, 0, 0, 1))
    image.put("HHHxxHH", 15600, 2, 120, 80, 240, 480, 50)
    _identity(image, 15700, "DC-HUB", f"H{serial[-7:]}")
    # input, output, then six ports: power (W), raw voltage, raw current or status
    image.put("HHHHHH", 15700, 20, 96, 131, 73, 84, 120, 70)
    ports = ((24, 120, 1), (0, 0, 0), (10, 50, 1), (36, 200, 1), (0, 0, 0), (14, 120, 1))
    for index, (watts, volts, status) in enumerate(ports):
        image.put("HHH", 15700, 32 + 6 * index, watts, volts, status)
    image.put("H", 15750, 0, 0x0101)
    _identity(image, 17000, "ATS-63A", f"A{serial[-7:]}")
    image.put("BI", 17000, 21, 1, 1006)
    _identity(image, 17100, "AT1", f"T{serial[-7:]}")
    image.put("I", 17100, 22, 1003)
    image.put("H", 17400, 0, enable_list(0, 0, 0, 1))  # charge from grid
    image.put("H", 17400, 2, enable_list(1, 0, 1, 0, 1))  # SL1 forces + feed-to-grid enable
    image.put("H", 17400, 12, enable_list(1, 0, 1))
    image.put("HHH", 17400, 18, enable_list(1, 2), enable_list(1, 2), enable_list(1, 1))
    image.put("HHHHHBB", 17400, 84, 63, 32, 16, 16, 16, 50, 50)
    image.put("H", 17400, 174, enable_list(0, 0, 1, 0, 1, 1))
    image.put("HBBxB", 17400, 176, (1 << 3) | 2, 90, 20, 10)
    image.put("HHH", 18000, 12, 820, 450, 0)  # liquid levels
    image.put("HHH", 18000, 18, 235, 241, 0)  # sensor temperatures, 0.1 degC
    image.put("HHHH", 18000, 24, 82, 45, 0, 0b011)  # remaining %, sensors 1 and 2 connected
    image.put("HHH", 18000, 32, 212, 215, 0)
    for index in range(3):  # EPAD liquid sensors 1..3
        base = 2 + 14 * index
        image.put("HHHHHHH", 18300, base, 1, 1, 1, 100 * (index + 1), 60, 100, 3000)
        alarm = 44 + 18 * index
        image.put("HHHHHHHHH", 18300, alarm, 1, 900, 850, 10, 10, 100, 150, 10, 10)
        temp = 98 + 10 * index
        image.put("hHHHH", 18300, temp, -5 + index, 100, 0, 10, 3950)
    image.put("H", 18300, 0, 1)
    image.put("H", 18300, 150, 30)
    calibration = {18400: (10, 20), 18500: (50, 55), 18600: (100, 98)}  # volume %, liquid %
    for block, (volume, liquid) in calibration.items():
        image.put("BB", block, 0, volume, liquid)
    image.put("HHHHHHHHHHH", 40127, 2, 1, 800, 0, 0, 0, 196, 1500, 184, 160, 253, 200)


def write_static(image: RegisterImage, spec: ProfileSpec, serial: str) -> None:
    """Identity and settings of every block ``spec``'s model serves."""
    _station(image, spec, serial)
    _settings(image)
    _energy_history(image)
    _battery(image, spec, serial)
    _iot(image, serial)
    _schedules(image)
    if spec.serves(14500):
        _smart_plug(image, serial)
    if spec.serves(17000):
        _accessories(image, serial)
