"""_handle.py -- the lifetime of one C handle, shared by every wrapper class.

Why a class of its own: a handle must be freed exactly once, never while a
foreign call is using it (another thread may be evaluating when close() is
called), and never before the handles that depend on it (rp_program_free
and rp_activation_free before rp_env_free).  Python frees objects in any
order, so each Handle counts

  - its users: borrow() marks a foreign call in progress; close() during a
    call only marks the handle closed, and the last user frees it;
  - its children: a handle closed while children still live is freed when
    the last child is; closing it closes the children first (a closed Env
    closes its Programs: using one then raises ClosedError).

The wrapper objects call close() from close(), __exit__ and a
weakref.finalize (garbage collection and interpreter exit), whichever comes
first; later calls do nothing.  One lock guards the counters of every
handle: the critical sections are a few assignments, and the foreign calls
themselves run outside it.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator, Optional, Set

from .errors import ClosedError

_lock = threading.Lock()


class Handle:
    """One pointer of the C library and the function that frees it."""

    __slots__ = ("ptr", "what", "_free", "_users", "_closed", "_parent", "_children",
                 "__weakref__")

    def __init__(self, ptr: int, free: Callable[[int], None], what: str,
                 parent: Optional["Handle"] = None) -> None:
        self.ptr = ptr
        self.what = what
        self._free = free
        self._users = 0
        self._closed = False
        self._parent = parent
        self._children: Set["Handle"] = set()
        if parent is not None:
            with _lock:
                if parent._closed:
                    # Freed at once: the caller made it from a parent that
                    # was closed meanwhile (a race with close()).
                    self._closed = True
                else:
                    parent._children.add(self)
            if self._closed:
                free(ptr)
                self.ptr = 0
                raise ClosedError(parent.what)

    @property
    def closed(self) -> bool:
        return self._closed

    @contextmanager
    def borrow(self) -> Iterator[int]:
        """The pointer, guaranteed valid until the block ends."""
        with _lock:
            if self._closed:
                raise ClosedError(self.what)
            self._users += 1
        try:
            yield self.ptr
        finally:
            with _lock:
                self._users -= 1
                doomed = self._collect()
            _free_all(doomed)

    def close(self) -> None:
        """Close this handle and its children; free what no call is using."""
        with _lock:
            doomed = self._close_locked()
        _free_all(doomed)

    def _close_locked(self) -> list:
        if self._closed:
            return []
        self._closed = True
        doomed = []
        for child in list(self._children):
            doomed += child._close_locked()
        return doomed + self._collect()

    def _collect(self) -> list:
        """Handles that can be freed now, children before parents (lock held)."""
        if not self._closed or self._users or self._children or not self.ptr:
            return []
        out = [(self._free, self.ptr)]
        self.ptr = 0
        parent = self._parent
        if parent is not None:
            parent._children.discard(self)
            self._parent = None
            out += parent._collect()
        return out


def _free_all(doomed: list) -> None:
    for free, ptr in doomed:
        free(ptr)
