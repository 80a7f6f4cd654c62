//! A byte budget for a queue: whoever queues a message first takes as many
//! permits as it has bytes, and gives them back when the message leaves the
//! queue (written to the socket, or handed to the application). The queue
//! itself can then be unbounded in messages and still bounded in bytes.
//!
//! A message larger than the whole budget takes all of it: it waits for an
//! empty queue and then goes alone, so a budget never refuses a message the
//! frame limit allows. Waiting is first come, first served (tokio's
//! semaphore is fair), so messages from several tasks keep their order.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};

/// Bytes a queue may hold.
#[derive(Debug, Clone)]
pub(crate) struct ByteBudget {
    permits: Arc<Semaphore>,
    limit: u32,
}

/// The budget is closed: the session is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BudgetClosed;

impl ByteBudget {
    /// A budget of `bytes` (at least 1, at most `u32::MAX`).
    pub(crate) fn new(bytes: usize) -> Self {
        let limit = u32::try_from(bytes).unwrap_or(u32::MAX).max(1);
        ByteBudget {
            permits: Arc::new(Semaphore::new(limit as usize)),
            limit,
        }
    }

    fn cost(&self, len: usize) -> u32 {
        u32::try_from(len).unwrap_or(u32::MAX).min(self.limit)
    }

    /// Waits until `len` bytes fit. Cancel-safe: dropped while waiting, it
    /// takes nothing.
    pub(crate) async fn acquire(&self, len: usize) -> Result<OwnedSemaphorePermit, BudgetClosed> {
        Arc::clone(&self.permits)
            .acquire_many_owned(self.cost(len))
            .await
            .map_err(|_| BudgetClosed)
    }

    /// Takes `len` bytes if they fit now; `Ok(None)` if they do not.
    pub(crate) fn try_acquire(
        &self,
        len: usize,
    ) -> Result<Option<OwnedSemaphorePermit>, BudgetClosed> {
        match Arc::clone(&self.permits).try_acquire_many_owned(self.cost(len)) {
            Ok(permit) => Ok(Some(permit)),
            Err(TryAcquireError::NoPermits) => Ok(None),
            Err(TryAcquireError::Closed) => Err(BudgetClosed),
        }
    }

    /// Refuses every later acquisition (permits already taken stay valid).
    pub(crate) fn close(&self) {
        self.permits.close();
    }

    /// Whether [`close`](Self::close) was called.
    pub(crate) fn is_closed(&self) -> bool {
        self.permits.is_closed()
    }

    /// Bytes held by queued messages now.
    pub(crate) fn used(&self) -> usize {
        (self.limit as usize).saturating_sub(self.permits.available_permits())
    }

    /// The budget in bytes.
    pub(crate) fn limit(&self) -> usize {
        self.limit as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn messages_take_their_bytes_and_give_them_back_when_dropped() {
        let budget = ByteBudget::new(100);
        let a = budget.acquire(60).await.unwrap();
        assert_eq!(budget.used(), 60);
        assert!(budget.try_acquire(50).unwrap().is_none(), "60 + 50 > 100");
        drop(a);
        assert!(budget.try_acquire(50).unwrap().is_some());
        assert_eq!(budget.used(), 0, "the permit of the temporary was dropped");
    }

    #[tokio::test]
    async fn a_message_larger_than_the_budget_waits_for_an_empty_queue_and_goes_alone() {
        let budget = ByteBudget::new(100);
        let small = budget.acquire(1).await.unwrap();
        assert!(budget.try_acquire(1_000).unwrap().is_none());
        drop(small);
        let big = budget
            .try_acquire(1_000)
            .unwrap()
            .expect("fits an empty queue");
        assert_eq!(budget.used(), 100);
        assert!(budget.try_acquire(1).unwrap().is_none());
        drop(big);
    }

    #[tokio::test]
    async fn a_closed_budget_refuses_and_wakes_waiters() {
        let budget = ByteBudget::new(10);
        let held = budget.acquire(10).await.unwrap();
        let waiter = tokio::spawn({
            let budget = budget.clone();
            async move { budget.acquire(5).await.map(drop) }
        });
        tokio::task::yield_now().await;
        budget.close();
        assert_eq!(waiter.await.unwrap(), Err(BudgetClosed));
        assert_eq!(
            budget.try_acquire(1).map(|p| p.is_some()),
            Err(BudgetClosed)
        );
        drop(held);
    }
}
