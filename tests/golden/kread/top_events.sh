kubectl top nodes
kubectl create deployment web --image=nginx --replicas=2
sleep 10
kubectl top nodes
kubectl top node node-01 --no-headers
kubectl top pods
kubectl top pods -A --sort-by=cpu
kubectl top pod --containers -n kube-system --sort-by=memory --sum
kubectl top pod nope
kubectl top nodes --sort-by=disk
kubectl events
kubectl events --for deploy/web
kubectl events -A --types=Warning
kubectl events --types=Foo
