kubectl api-resources
kubectl api-resources --namespaced=false -o wide
kubectl api-resources --api-group=apps -o name
kubectl api-versions
kubectl cluster-info
kubectl config view
kubectl config current-context
kubectl config get-contexts
