sleep 30
kubectl describe nodes
kubectl describe pods -n kube-system
kubectl describe deployment coredns -n kube-system
kubectl describe rs -n kube-system
kubectl describe ds/kube-proxy -n kube-system
kubectl describe svc kubernetes
kubectl describe svc kube-dns -n kube-system
kubectl describe namespaces
kubectl describe cm kube-root-ca.crt -n kube-public
kubectl describe sa coredns -n kube-system
