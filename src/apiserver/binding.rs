//! `pods/binding`: the scheduler's (or anyone's) assignment of a pod to a node. The api-server sets
//! `spec.nodeName` and the PodScheduled condition in one write, and refuses to bind twice.

use std::sync::Arc;

use k8s_openapi::api::core::v1::PodCondition;

use super::{ApiError, ApiServer, Identity, Write, keys, strategy};
use crate::api::{Kind, Object};

impl ApiServer {
    pub fn bind(&mut self, who: &Identity, namespace: &str, pod: &str, node: &str) -> Result<Object, ApiError> {
        let oref = self.begin(who, "create/binding", Kind::Pod, Some(namespace), pod)?;
        let result = self.bind_inner(namespace, pod, node);
        match &result {
            Ok(o) => self.finish_ok(who, "create/binding", &oref, o.resource_version(), 201),
            Err(e) => self.finish_err(who, "create/binding", &oref, e),
        }
        result
    }

    fn bind_inner(&mut self, namespace: &str, pod: &str, node: &str) -> Result<Object, ApiError> {
        let key = keys::object_key(Kind::Pod, Some(namespace), pod);
        let current =
            self.store.get(&key).map(|kv| kv.value.clone()).ok_or_else(|| ApiError::not_found(Kind::Pod, pod))?;
        let Object::Pod(p) = &current else { return Err(ApiError::not_found(Kind::Pod, pod)) };
        if p.metadata.deletion_timestamp.is_some() {
            return Err(ApiError::conflict_because(
                Kind::Pod,
                pod,
                &format!("pod {pod} is being deleted, cannot be assigned to a host"),
            ));
        }
        if let Some(existing) = p.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
            return Err(ApiError::conflict_because(
                Kind::Pod,
                pod,
                &format!("pod {pod} is already assigned to node \"{existing}\""),
            ));
        }
        let mut next = (**p).clone();
        next.spec.get_or_insert_with(Default::default).node_name = Some(node.to_string());
        let now = strategy::timestamp(self.clock.unix_millis(self.clock.now()));
        let conditions = next.status.get_or_insert_with(Default::default).conditions.get_or_insert_with(Vec::new);
        conditions.retain(|c| c.type_ != "PodScheduled");
        conditions.push(PodCondition {
            type_: "PodScheduled".into(),
            status: "True".into(),
            last_transition_time: Some(now),
            ..Default::default()
        });
        let oref = Self::object_ref(Kind::Pod, Some(namespace), pod);
        let expect_rv = current.resource_version();
        self.commit(Kind::Pod, &key, &oref, Write::Update { new: Object::Pod(Arc::new(next)), expect_rv })
    }
}
