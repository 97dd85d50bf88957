"""A memory cap for a reading child on Windows, through a Job Object (ctypes, kernel32).

Windows has no RLIMIT_AS. A process can put itself in a new job (nested jobs: Windows 8 and
later) whose JOB_OBJECT_LIMIT_PROCESS_MEMORY caps the memory it commits: past the cap an
allocation fails (MemoryError in Python, an abort in calamine's Rust), as RLIMIT_AS does on Linux.
Source: Microsoft's documentation of JOBOBJECT_EXTENDED_LIMIT_INFORMATION and
SetInformationJobObject (JobObjectExtendedLimitInformation = 9).

The kernel32 object is a parameter so that the structures and calls are checked on Linux too.
"""

from __future__ import annotations

import ctypes
from ctypes import wintypes
from typing import Any

DWORD = ctypes.c_uint32  # Windows' DWORD (wintypes.DWORD is the host's long: 8 bytes on Linux)
JOB_OBJECT_LIMIT_PROCESS_MEMORY = 0x00000100
JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION = 0x00000400
JOB_OBJECT_EXTENDED_LIMIT_INFORMATION = 9  # JOBOBJECTINFOCLASS value

# Exit codes of a child that ran out of memory on Windows: abort() (3), Rust's abort through
# __fastfail (STATUS_STACK_BUFFER_OVERRUN) and STATUS_NO_MEMORY, as unsigned 32-bit values.
CODES_MEMOIRE = (3, 0xC0000409, 0xC0000017)


class _Compteurs(ctypes.Structure):
    _fields_ = [(n, ctypes.c_ulonglong) for n in ("Read", "Write", "Other")] + [
        (n + "TransferCount", ctypes.c_ulonglong) for n in ("Read", "Write", "Other")
    ]


class _LimitesBase(ctypes.Structure):
    _fields_ = [
        ("PerProcessUserTimeLimit", ctypes.c_longlong),
        ("PerJobUserTimeLimit", ctypes.c_longlong),
        ("LimitFlags", DWORD),
        ("MinimumWorkingSetSize", ctypes.c_size_t),
        ("MaximumWorkingSetSize", ctypes.c_size_t),
        ("ActiveProcessLimit", DWORD),
        ("Affinity", ctypes.c_size_t),
        ("PriorityClass", DWORD),
        ("SchedulingClass", DWORD),
    ]


class LimitesEtendues(ctypes.Structure):
    """JOBOBJECT_EXTENDED_LIMIT_INFORMATION (144 bytes on 64-bit Windows)."""

    _fields_ = [
        ("BasicLimitInformation", _LimitesBase),
        ("IoInfo", _Compteurs),
        ("ProcessMemoryLimit", ctypes.c_size_t),
        ("JobMemoryLimit", ctypes.c_size_t),
        ("PeakProcessMemoryUsed", ctypes.c_size_t),
        ("PeakJobMemoryUsed", ctypes.c_size_t),
    ]


class _MemoireProcessus(ctypes.Structure):
    """PROCESS_MEMORY_COUNTERS (psapi), enough for PagefileUsage: the committed bytes."""

    _fields_ = [("cb", DWORD), ("PageFaultCount", DWORD)] + [
        (n, ctypes.c_size_t)
        for n in (
            "PeakWorkingSetSize",
            "WorkingSetSize",
            "QuotaPeakPagedPoolUsage",
            "QuotaPagedPoolUsage",
            "QuotaPeakNonPagedPoolUsage",
            "QuotaNonPagedPoolUsage",
            "PagefileUsage",
            "PeakPagefileUsage",
        )  # fmt: skip
    ]


def _memoire_engagee(kernel32: Any) -> int:
    """Bytes this process has committed now (0 when Windows does not say)."""
    compteurs = _MemoireProcessus()
    compteurs.cb = ctypes.sizeof(compteurs)
    try:
        ok = kernel32.K32GetProcessMemoryInfo(kernel32.GetCurrentProcess(), ctypes.byref(compteurs), compteurs.cb)
    except (AttributeError, OSError):
        return 0
    return int(compteurs.PagefileUsage) if ok else 0


def _declarer(kernel32: Any) -> None:
    """Handle-sized return and argument types (ctypes' default int would truncate a handle)."""
    h, p = wintypes.HANDLE, ctypes.c_void_p
    kernel32.GetCurrentProcess.restype = h
    kernel32.CreateJobObjectW.restype = h
    kernel32.CreateJobObjectW.argtypes = [p, wintypes.LPCWSTR]
    kernel32.SetInformationJobObject.argtypes = [h, ctypes.c_int, p, DWORD]
    kernel32.AssignProcessToJobObject.argtypes = [h, h]
    kernel32.CloseHandle.argtypes = [h]
    kernel32.K32GetProcessMemoryInfo.argtypes = [h, p, DWORD]


def limiter_memoire(memoire: int, kernel32: Any = None) -> bool:
    """Cap this process's committed memory at what it uses now plus `memoire` bytes, through a new
    Job Object it joins. Returns False (no cap, nothing raised) when Windows refuses: an older
    Windows where the process's job forbids nesting, or no kernel32 (not Windows)."""
    if kernel32 is None:
        try:
            kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        except (AttributeError, OSError):
            return False
        _declarer(kernel32)
    limites = LimitesEtendues()
    limites.BasicLimitInformation.LimitFlags = (
        JOB_OBJECT_LIMIT_PROCESS_MEMORY | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION
    )
    limites.ProcessMemoryLimit = _memoire_engagee(kernel32) + memoire
    job = kernel32.CreateJobObjectW(None, None)
    if not job:
        return False
    if not kernel32.SetInformationJobObject(
        job, JOB_OBJECT_EXTENDED_LIMIT_INFORMATION, ctypes.byref(limites), ctypes.sizeof(limites)
    ):
        kernel32.CloseHandle(job)
        return False
    # The handle stays open for the child's life: the job lives as long as a process is in it.
    return bool(kernel32.AssignProcessToJobObject(job, kernel32.GetCurrentProcess()))
