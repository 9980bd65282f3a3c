//! What a syncobj holds: nothing, a plain fence, or a `dma_fence_chain`
//! timeline. Mirrors `drivers/dma-buf/dma-fence-chain.c`
//! (`dma_fence_chain_init`, `_walk`, `_find_seqno`, `_signaled`),
//! `dma-fence-unwrap.c` (`dma_fence_unwrap_merge`) and the fence handling of
//! `drivers/gpu/drm/drm_syncobj.c` (`drm_syncobj_add_point`,
//! `drm_syncobj_find_fence`, `drm_syncobj_query_ioctl`).
//!
//! Fences are immutable `Arc`s shared between the syncobj and whoever looked
//! them up (a waiter keeps the fence it resolved even if the syncobj is reset
//! later, as in the kernel); only a chain node's `prev` link changes, when a
//! walk unlinks signalled nodes (the kernel's garbage collection).

use std::sync::{Arc, Mutex};

use super::{FenceRef, FenceState, State};

/// A reference-counted `struct dma_fence *`.
pub(crate) type Fence = Arc<FenceObj>;

/// A fence that is not a chain node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plain {
    /// A job's fence or `dma_fence_get_stub()`.
    One(FenceRef),
    /// A `dma_fence_array` (signal on all), as `dma_fence_unwrap_merge` builds.
    All(Vec<FenceRef>),
}

/// One `struct dma_fence`.
#[derive(Debug)]
pub(crate) enum FenceObj {
    Plain(Plain),
    Chain(ChainNode),
}

/// `struct dma_fence_chain`.
#[derive(Debug)]
pub(crate) struct ChainNode {
    /// `base.seqno`: the timeline point.
    pub seqno: u64,
    /// `prev_seqno`: the previous node's point when it shares the context.
    pub prev_seqno: u64,
    /// `base.context`.
    pub context: u64,
    /// The contained fence.
    pub fence: Plain,
    /// The previous fence (`chain->prev`); unlinked by [`walk`] once signalled.
    prev: Mutex<Option<Fence>>,
}

impl ChainNode {
    fn prev(&self) -> Option<Fence> {
        self.prev.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// `dma_fence_get_stub()`.
pub(crate) fn stub() -> Fence {
    Arc::new(FenceObj::Plain(Plain::One(FenceRef::Stub)))
}

/// A job's (or any single) fence.
pub(crate) fn one(f: FenceRef) -> Fence {
    Arc::new(FenceObj::Plain(Plain::One(f)))
}

fn plain_signaled(st: &State, p: &Plain) -> bool {
    let done = |f: &FenceRef| st.fence_ref_state(*f) != FenceState::Pending;
    match p {
        Plain::One(f) => done(f),
        Plain::All(v) => v.iter().all(done),
    }
}

/// `dma_fence_is_signaled`: a chain node is signalled when its fence and
/// every fence before it are (`dma_fence_chain_signaled`).
pub(crate) fn is_signaled(st: &State, f: &Fence) -> bool {
    let mut cur = Some(f.clone());
    while let Some(f) = cur {
        match &*f {
            FenceObj::Plain(p) => return plain_signaled(st, p),
            FenceObj::Chain(c) => {
                if !plain_signaled(st, &c.fence) {
                    return false;
                }
                cur = c.prev();
            }
        }
    }
    true
}

/// `dma_fence_chain_walk`: the first unsignalled fence before `f`, unlinking
/// signalled nodes on the way; `None` for a non-chain fence or when
/// everything before `f` has signalled.
fn walk(st: &State, f: &Fence) -> Option<Fence> {
    let FenceObj::Chain(chain) = &**f else {
        return None;
    };
    let mut slot = chain.prev.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let prev = slot.clone()?;
        let (signaled, replacement) = match &*prev {
            FenceObj::Chain(pc) => (plain_signaled(st, &pc.fence), pc.prev()),
            FenceObj::Plain(p) => (plain_signaled(st, p), None),
        };
        if !signaled {
            return Some(prev);
        }
        *slot = replacement;
    }
}

fn context_of(f: &Fence) -> Option<u64> {
    match &**f {
        FenceObj::Chain(c) => Some(c.context),
        // Plain fences never share a chain's context.
        FenceObj::Plain(_) => None,
    }
}

/// `dma_fence_chain_find_seqno`: `Err(())` is its -EINVAL (no chain, or the
/// point is later than the head); `Ok(None)` means the point has signalled
/// and its nodes were collected (callers substitute the stub).
pub(crate) fn find_seqno(st: &State, f: &Fence, point: u64) -> Result<Option<Fence>, ()> {
    if point == 0 {
        return Ok(Some(f.clone()));
    }
    let FenceObj::Chain(head) = &**f else {
        return Err(());
    };
    if head.seqno < point {
        return Err(());
    }
    let mut it = Some(f.clone());
    while let Some(cur) = it.clone() {
        let stop = match &*cur {
            FenceObj::Chain(c) => c.context != head.context || c.prev_seqno < point,
            FenceObj::Plain(_) => true,
        };
        if stop {
            break;
        }
        it = walk(st, &cur);
    }
    Ok(it)
}

/// The fence at `point` of a syncobj whose current fence is `cur`, as the
/// lookup in `drm_syncobj_find_fence` / `drm_syncobj_array_wait_timeout` /
/// `syncobj_wait_syncobj_func` does: `None` when there is no fence or the
/// point is not (yet) on the timeline; a collected point gives the stub.
pub(crate) fn lookup(st: &State, cur: Option<&Fence>, point: u64) -> Option<Fence> {
    match find_seqno(st, cur?, point) {
        Err(()) => None,
        Ok(Some(f)) => Some(f),
        Ok(None) => Some(stub()),
    }
}

/// `drm_syncobj_add_point` → `dma_fence_chain_init`: a new chain node on
/// top of `prev`. A point not later than the previous node's starts a new
/// context and keeps the larger seqno (the kernel only logs "You are adding
/// an unorder point to timeline!" at debug level); QUERY then stops at the
/// context change.
pub(crate) fn add_point(st: &mut State, prev: Option<Fence>, fence: Plain, point: u64) -> Fence {
    let mut new_context = || {
        st.next_fence_context += 1;
        st.next_fence_context
    };
    let (context, seqno, prev_seqno) = match prev.as_deref() {
        Some(FenceObj::Chain(pc)) if point > pc.seqno => (pc.context, point, pc.seqno),
        Some(FenceObj::Chain(pc)) => (new_context(), pc.seqno.max(point), 0),
        _ => (new_context(), point, 0),
    };
    let node = Arc::new(FenceObj::Chain(ChainNode {
        seqno,
        prev_seqno,
        context,
        fence,
        prev: Mutex::new(prev),
    }));
    // "Walk the chain once to trigger garbage collection".
    let mut it = Some(node.clone());
    while let Some(cur) = it {
        it = walk(st, &cur);
    }
    node
}

/// `dma_fence_unwrap_merge`: the unsignalled leaf fences of `f` (through
/// chains and arrays) as one fence; the stub when all have signalled.
pub(crate) fn unwrap_merge(st: &State, f: &Fence) -> Plain {
    let mut leaves: Vec<FenceRef> = Vec::new();
    let mut add = |p: &Plain| {
        let v = match p {
            Plain::One(f) => std::slice::from_ref(f),
            Plain::All(v) => v.as_slice(),
        };
        for f in v {
            if st.fence_ref_state(*f) == FenceState::Pending && !leaves.contains(f) {
                leaves.push(*f);
            }
        }
    };
    let mut it = Some(f.clone());
    while let Some(cur) = it {
        match &*cur {
            FenceObj::Plain(p) => {
                add(p);
                it = None;
            }
            FenceObj::Chain(c) => {
                add(&c.fence);
                it = walk(st, &cur);
            }
        }
    }
    match leaves.len() {
        0 => Plain::One(FenceRef::Stub),
        1 => Plain::One(leaves[0]),
        _ => Plain::All(leaves),
    }
}

/// The point `drm_syncobj_query_ioctl` reports for a syncobj fence.
pub(crate) fn query(st: &State, cur: Option<&Fence>, last_submitted: bool) -> u64 {
    let Some(f) = cur else { return 0 };
    let FenceObj::Chain(head) = &**f else {
        return 0;
    };
    if last_submitted {
        return head.seqno;
    }
    let mut last = f.clone();
    let mut it = Some(f.clone());
    while let Some(cur) = it {
        if context_of(&cur) != Some(head.context) {
            // "It is most likely that timeline has unorder points."
            break;
        }
        last = cur.clone();
        it = walk(st, &cur);
    }
    match &*last {
        FenceObj::Chain(c) if is_signaled(st, &last) => c.seqno,
        FenceObj::Chain(c) => c.prev_seqno,
        FenceObj::Plain(_) => 0,
    }
}
